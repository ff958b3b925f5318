"""The pure part of the value case: unit costs and their uprating, the calculator and its reports. Imports no Django."""

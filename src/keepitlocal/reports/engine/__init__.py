"""Pure Python report and export building blocks. No Django."""

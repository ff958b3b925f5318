"""Pure matching of names to organisations in the registers, the council register and the names councils resolved."""

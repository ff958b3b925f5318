"""Pure Python rules of the network: GSS codes, ONS files, org-ids and the membership journey. No Django."""

"""Small pure-Python helpers shared by several engines. No Django."""

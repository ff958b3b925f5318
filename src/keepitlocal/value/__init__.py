"""The value case: prevention savings from cited unit costs, funding levered in and the local multiplier."""

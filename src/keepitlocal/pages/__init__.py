"""Pages that compose capabilities: a council's home (its next steps across spend, assessment, directory and value)
and the network team's overview. Above every capability: they import capabilities, and no capability imports them
(routes name them from the capabilities' urls)."""

"""Connections: an organisation's relationship map, its bridging role in numbers and sentences, and a council's
view of the connective tissue of its area."""

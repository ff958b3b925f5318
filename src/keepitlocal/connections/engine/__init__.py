"""The pure part of connections: the map's types, the measures, the Kumu, GEXF and GraphML formats and the picture.
Imports no Django: usable from the `kil` CLI, a notebook or the platform."""

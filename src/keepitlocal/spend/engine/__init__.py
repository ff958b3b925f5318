"""The spend engine: from councils' published "spend over £500" files to supplier classifications and
local/VCSE indicators. Pure Python and DuckDB; no Django, so it runs from the CLI, a notebook or a job."""

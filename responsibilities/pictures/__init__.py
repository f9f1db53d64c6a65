"""Pictures of the organisation: the org chart with its findings (orgchart.py, drawn as
SVG by svg.py), load heatmaps (heatmaps.py) and findings over time (snapshots.py writes
the daily snapshot, trend.py reads it). Each reads in a constant number of queries."""

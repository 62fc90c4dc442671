"""Folium maps and charts, drawn from a run's results Dataset only."""

"""Organisation dashboards: comparing teams, trends and the organisation's debt."""

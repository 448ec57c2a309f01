"""Overblik: search over cross-sector healthcare initiatives in North Jutland."""

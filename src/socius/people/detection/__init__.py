"""Probabilistic duplicate detection: records, comparisons, the Splink pipeline and the
check at ingestion."""

"""The dashboard: what happened to drafts, reviews, checks, cost and batches over a period
(service: the data, as tables; charts: Altair charts of them; download: formula-safe CSV)."""

"""The content calendar: drafts by their publish date, week by week (calendar: pure; service)."""

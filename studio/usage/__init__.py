"""Model usage and cost: every call recorded (recorder, sink), prices (prices), budgets (policy,
service), the call context callers tag (context), token counts (tokens), and the CLI."""

"""Forms of the member pages, one module per area: input shape only; the rules live in the actions."""

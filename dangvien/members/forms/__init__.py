"""Forms of the member pages, one module per area: input shape only.

The rules live in the actions."""

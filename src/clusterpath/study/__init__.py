"""Scenario studies: one cluster planned under several scenarios (compare), or under many
cases of uncertain inputs around one scenario (sweep)."""

"""The cluster's shared infrastructure as the network names it."""

HUB = "@cluster"  # '@' cannot start a member id, so the hub never collides with a member

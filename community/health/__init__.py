"""GET /healthz: whether this app server can serve, for load balancers and monitors."""

"""Platform adapters: each turns a platform's objects into neutral events and back into actions."""

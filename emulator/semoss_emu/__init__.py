"""SEMOSS server emulator: the SEMOSS REST/pixel protocol over a real PostgreSQL database."""

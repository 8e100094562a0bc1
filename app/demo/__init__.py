"""Demo data: synthetic ASN of Kota Tangerang (generator) and demo accounts (accounts)."""

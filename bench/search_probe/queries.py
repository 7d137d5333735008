"""Benchmark queries: what a reader of a privacy-policy archive types (mixed frequency).

Planted tokens come from bench/synth.py (zorbleflux: 1 snapshot, quandrivex: 5, plimsoquat: 1%).
"""

QUERIES = [
    "cookies",
    "privacy",
    "information",
    "children",
    "retention",
    "arbitration",
    "california",
    "advertising",
    "location",
    "biometric",
    "gdpr",
    "do not track",
    "third parties",
    "data retention",
    "opt out",
    "sell personal information",
    "web beacons",
    "law enforcement",
    "delete account",
    "zorbleflux",
    "quandrivex",
    "plimsoquat",
    "velmorant oxbriddle",
]

"""Lifecycle journeys: a trigger, steps with delays, conditions and actions, recorded per customer."""

"""Contracts from the financing system: the loan, its vehicle, its installment schedule and its payments."""

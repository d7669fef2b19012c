"""Tests of the web app (formkit app): handlers through the test client, pages in a real browser."""

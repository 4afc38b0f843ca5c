"""Flood control and fair shares, so one account cannot drown the counsellors or lock others out."""

"""Quality control: a row and two plots per tracked job, one table for the batch."""

"""What idtracker.ai writes and prints, in one place: its session files, its log, its command."""

"""The read side of a discussion: who reads it (`Reader`) and the spots of its page that differ
between readers (`slots`)."""

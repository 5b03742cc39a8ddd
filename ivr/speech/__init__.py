"""Speech recognition: a Recognizer protocol and its engines (PocketSphinx, Whisper, Vosk)."""

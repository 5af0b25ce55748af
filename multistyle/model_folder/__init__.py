"""Model folders: reading and writing one (`folder_io`, the only code that
does), its style list and style names (`style_set`), removing and renaming
styles (`style_editing`), and the shipped ones, found by name
(`presets`)."""

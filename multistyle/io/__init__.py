"""Files: images read, found and written (`image_io`), and files and
folders written complete or not at all (`atomic_files`)."""

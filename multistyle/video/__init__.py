"""Painting videos: video files, frame batches, keyframes, smoothing."""

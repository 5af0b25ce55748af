"""Perceptual losses of Johnson et al. (2016) and Gatys et al. (2016).

Pure functions of tensors (`keras.ops` only). Every loss is a mean, so its
scale does not depend on image size, batch size or channel count, and the
same loss weights work at 256 px and at 512 px.
"""

from keras import ops


def gram_matrix(features):
    """Channel co-activation matrix of NHWC features, in float32.

    `G[b, i, j] = sum_{h,w} F[b,h,w,i] F[b,h,w,j] / (H * W * C)`.

    Args:
        features: Tensor of shape `(batch, height, width, channels)`.

    Returns:
        Float32 tensor of shape `(batch, channels, channels)`.
    """
    features = ops.cast(features, "float32")
    shape = ops.shape(features)
    flat = ops.reshape(features, (shape[0], -1, shape[3]))
    gram = ops.einsum("bpi,bpj->bij", flat, flat)
    size = ops.cast(shape[1] * shape[2] * shape[3], "float32")
    return gram / size


def content_loss(features, target_features):
    """Per-example mean squared difference of two feature maps, `(batch,)`."""
    diff = ops.cast(features, "float32") - ops.cast(target_features, "float32")
    return ops.mean(ops.square(diff), axis=[1, 2, 3])


def style_loss(features, target_gram):
    """Per-example mean squared difference of Gram matrices, `(batch,)`.

    Args:
        features: NHWC features of the images being judged.
        target_gram: `(batch, channels, channels)` Gram matrices of the
            style each example should have.
    """
    diff = gram_matrix(features) - ops.cast(target_gram, "float32")
    return ops.mean(ops.square(diff), axis=[1, 2])


def total_variation_loss(images):
    """Per-example mean squared difference of neighbouring pixels, `(batch,)`.

    Args:
        images: NHWC float images.
    """
    images = ops.cast(images, "float32")
    dy = images[:, 1:, :, :] - images[:, :-1, :, :]
    dx = images[:, :, 1:, :] - images[:, :, :-1, :]
    return (ops.mean(ops.square(dy), axis=[1, 2, 3])
            + ops.mean(ops.square(dx), axis=[1, 2, 3]))

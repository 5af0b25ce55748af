"""Perceptual losses of Johnson et al. (2016) and Gatys et al. (2016).

Pure functions of tensors (`keras.ops` only). Every loss is a mean, so its
scale does not depend on image size, batch size or channel count. Content
and style losses are also relative to their target's mean square: VGG-19
activations differ by four orders of magnitude between layers (block4_conv1
Gram entries are ~1e3, block5_conv1 ~1e1), and relative errors let every
layer, and every painting, count alike for the same loss weight.

The distillation losses compare a student network's paintings with a
teacher's, in pixels (no loss network).
"""

from keras import ops

from multistyle.io import image_io

_EPSILON = 1e-8


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


def _relative_mse(values, targets, axes):
    """mean((values - targets)^2) / mean(targets^2), per example."""
    targets = ops.cast(targets, "float32")
    error = ops.mean(ops.square(ops.cast(values, "float32") - targets),
                     axis=axes)
    return error / (ops.mean(ops.square(targets), axis=axes) + _EPSILON)


def content_loss(features, target_features):
    """Per-example relative squared error of feature maps, `(batch,)`.

    `mean((F - P)^2) / mean(P^2)` over height, width and channels.
    """
    return _relative_mse(features, target_features, axes=[1, 2, 3])


def style_loss(features, target_gram):
    """Per-example relative squared error of Gram matrices, `(batch,)`.

    `mean((G - A)^2) / mean(A^2)` with `G = gram_matrix(features)`.

    Args:
        features: NHWC features of the images being judged.
        target_gram: `(batch, channels, channels)` Gram matrices of the
            style each example should have.
    """
    return _relative_mse(gram_matrix(features), target_gram, axes=[1, 2])


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


_GRADIENT_EPSILON = 1e-7


def gradient_energy(images):
    """Per-example mean Sobel gradient magnitude of the luminance,
    `(batch,)`: how much fine texture (strokes, canvas, edges) images have
    (the mean of `gradient_magnitude`)."""
    return ops.mean(gradient_magnitude(images), axis=[1, 2])


def gradient_magnitude(images):
    """Per-pixel Sobel gradient magnitude of the luminance, `(batch,
    height - 2, width - 2)`.

    `sqrt(Gx^2 + Gy^2)` at the pixels whose 3x3 neighbourhood lies
    inside the image, with the Sobel kernels `Gx = [[-1, 0, 1], [-2, 0, 2],
    [-1, 0, 1]]` and `Gy = Gx^T` on the luminance `Y = 0.299 R + 0.587 G +
    0.114 B` (ITU-R BT.601). 0 for a flat image.

    Args:
        images: NHWC float RGB in [0, 1], at least 3x3.
    """
    y = ops.matmul(ops.cast(images, "float32"), image_io.LUMA_WEIGHTS)
    # Vertical smoothing then horizontal difference, and the transpose.
    smooth_v = y[:, :-2] + 2.0 * y[:, 1:-1] + y[:, 2:]
    smooth_h = y[:, :, :-2] + 2.0 * y[:, :, 1:-1] + y[:, :, 2:]
    gx = smooth_v[:, :, 2:] - smooth_v[:, :, :-2]
    gy = smooth_h[:, 2:] - smooth_h[:, :-2]
    # The epsilon keeps the square root's gradient finite on flat pixels
    # (and is taken off again, so a flat image scores 0).
    return (ops.sqrt(gx * gx + gy * gy + _GRADIENT_EPSILON**2)
            - _GRADIENT_EPSILON)


def texture_loss(images, target_energy, patch_size=0):
    """Per-example squared shortfall of the images' texture, `(batch,)`.

    `relu(1 - gradient_energy(images) / target_energy)^2`: 0 once the
    images have as much texture per pixel as the target (their painting's
    `gradient_energy`); more texture is never penalized (the style loss
    says which texture). With `patch_size`, the mean of that shortfall
    over square patches of that side (of the gradient map; the last
    partial row and column of patches left out): texture anywhere no
    longer makes up for flat patches, such as a sky or a saturated blob.

    Args:
        images: NHWC float RGB in [0, 1].
        target_energy: `(batch,)` target `gradient_energy` per example.
        patch_size: Patch side, pixels; 0 (or more than the gradient
            map's side) for the whole image.
    """
    magnitude = gradient_magnitude(images)[..., None]
    height, width = magnitude.shape[1:3]
    if patch_size and height and width:
        patch_size = min(patch_size, height, width)
    else:
        patch_size = None
    if patch_size:
        energy = ops.average_pool(magnitude, patch_size, strides=patch_size,
                                  padding="valid")
    else:
        energy = ops.mean(magnitude, axis=[1, 2], keepdims=True)
    shortfall = ops.relu(1.0 - energy / target_energy[:, None, None, None])
    return ops.mean(ops.square(shortfall), axis=[1, 2, 3])


# Normalized activations beyond this many standard deviations count as
# droplets: far past a Gaussian's 1-in-1000 (3.3), and past what the
# shipped model's typical pixels reach in any channel (about 2), while its
# white-blob pixels reach 10-12 (benchmarks/droplets.py).
DROPLET_THRESHOLD = 4.0


def instance_normalized(features):
    """NHWC `features` normalized per example and channel over height and
    width, as an instance norm does before its scale and shift (float32)."""
    features = ops.cast(features, "float32")
    mean, variance = ops.moments(features, axes=[1, 2], keepdims=True)
    return (features - mean) * ops.rsqrt(variance + 1e-5)


def droplet_loss(features, threshold=DROPLET_THRESHOLD):
    """Per-example mean squared excess of instance-normalized activations
    beyond `threshold` standard deviations, `(batch,)`.

    `mean(relu(|x_hat| - threshold)^2)` with `x_hat = (x - mean) / std`
    over height and width, per channel: what an instance norm makes of
    `features`. A few locations far out in a channel ("droplets", Karras et
    al., "Analyzing and Improving the Image Quality of StyleGAN", 2020)
    steer the channel's statistics; in this network they paint white blobs.
    """
    excess = ops.relu(ops.abs(instance_normalized(features)) - threshold)
    return ops.mean(ops.square(excess), axis=[1, 2, 3])


def pixel_distance(images, targets):
    """Per-example mean absolute difference of NHWC images, `(batch,)`.

    L1 rather than L2: it keeps flat colour regions and sharp edges where
    a squared error would blur towards the average.
    """
    return ops.mean(ops.abs(ops.cast(images, "float32")
                            - ops.cast(targets, "float32")), axis=[1, 2, 3])


def edge_distance(images, targets):
    """Per-example mean absolute difference of the images' neighbouring-
    pixel differences (their edges and brush strokes), `(batch,)`."""
    def edges(x):
        x = ops.cast(x, "float32")
        return (x[:, 1:, :-1, :] - x[:, :-1, :-1, :],
                x[:, :-1, 1:, :] - x[:, :-1, :-1, :])
    return sum(pixel_distance(a, b)
               for a, b in zip(edges(images), edges(targets)))

"""All layer Modules of corelib-layers (the plugin's lazy targets are "corelib_layers.modules:Name")."""
from corelib_layers.modules.conv import (Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d,
                                         ConvTranspose3d, Unfold, Fold)
from corelib_layers.modules.pooling import (MaxPool1d, MaxPool2d, MaxPool3d, AvgPool1d, AvgPool2d, AvgPool3d,
                                            LPPool1d, LPPool2d, LPPool3d,
                                            MaxUnpool1d, MaxUnpool2d, MaxUnpool3d, AdaptiveAvgPool1d,
                                            AdaptiveAvgPool2d, AdaptiveAvgPool3d, AdaptiveMaxPool1d,
                                            AdaptiveMaxPool2d, AdaptiveMaxPool3d)
from corelib_layers.modules.linear import Identity, Linear, Bilinear, Flatten, Unflatten, Embedding
from corelib_layers.modules.activation import (Sigmoid, Tanh, ReLU, ReLU6, LeakyReLU, PReLU, RReLU, ELU, CELU,
                                               SELU, GELU, SiLU, Mish, Softplus, Softsign, Hardtanh,
                                               Hardsigmoid, Hardswish, LogSigmoid, Tanhshrink, Softshrink,
                                               Hardshrink, Threshold, Softmax, Softmin, LogSoftmax, Softmax2d,
                                               GLU)
from corelib_layers.modules.normalization import (BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d,
                                                  InstanceNorm2d, InstanceNorm3d, LayerNorm, RMSNorm,
                                                  GroupNorm, LocalResponseNorm)
from corelib_layers.modules.dropout import (Dropout, Dropout1d, Dropout2d, Dropout3d, AlphaDropout,
                                            FeatureAlphaDropout)
from corelib_layers.modules.padding import (ConstantPad1d, ConstantPad2d, ConstantPad3d, ZeroPad1d, ZeroPad2d,
                                            ZeroPad3d, ReflectionPad1d, ReflectionPad2d, ReflectionPad3d,
                                            ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, CircularPad1d,
                                            CircularPad2d, CircularPad3d)
from corelib_layers.modules.misc import (Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, PixelShuffle,
                                         PixelUnshuffle, ChannelShuffle, CosineSimilarity, PairwiseDistance)

__all__ = [n for n in dir() if n[:1].isupper()]

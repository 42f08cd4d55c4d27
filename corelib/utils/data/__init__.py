"""``corelib.utils.data``: datasets, samplers and the DataLoader (notes chapter 3), with
PyTorch's names, arguments and semantics (``torch.utils.data``)."""
from corelib.utils.data.sampler import (
    BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
    WeightedRandomSampler,
)
from corelib.utils.data.dataset import (
    ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset, Subset,
    TensorDataset, random_split,
)
from corelib.utils.data._utils.worker import WorkerInfo, get_worker_info
from corelib.utils.data._utils.collate import default_collate, default_convert
from corelib.utils.data.dataloader import DataLoader, _DatasetKind

__all__ = [
    "BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset",
    "IterableDataset", "RandomSampler", "Sampler", "SequentialSampler", "StackDataset",
    "Subset", "SubsetRandomSampler", "TensorDataset", "WeightedRandomSampler", "WorkerInfo",
    "default_collate", "default_convert", "get_worker_info", "random_split",
]

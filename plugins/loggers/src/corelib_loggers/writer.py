"""SummaryWriter: PyTorch's ``torch.utils.tensorboard.SummaryWriter`` without TensorFlow or protobuf.

Every ``add_*`` call encodes (or snapshots) its data and queues it for a background thread that
writes the TFRecord file, so the caller never waits on file I/O; ``flush()`` waits until all
queued data is on disk (handed to the OS), ``close()`` also closes the files.
"""
import os
import time

from . import _proto
from . import _summaries as S
from ._event_file import EventFileWriter


class FileWriter:
    """One event file in one directory (the object behind ``SummaryWriter.file_writer``)."""

    def __init__(self, log_dir, max_queue=10, flush_secs=120, filename_suffix=""):
        self.event_writer = EventFileWriter(str(log_dir), max_queue, flush_secs, filename_suffix)

    def get_logdir(self):
        return self.event_writer.get_logdir()

    def add_event(self, item, walltime=None):
        self.event_writer.add_event(item)

    def add_summary(self, summary, global_step=None, walltime=None):
        """Queue a Summary (bytes, or a callable building them on the writer thread)."""
        wall = time.time() if walltime is None else float(walltime)
        step = None if global_step is None else int(global_step)
        if callable(summary):
            build = summary
            self.event_writer.add_event(lambda: _proto.event(wall, step, summary=build()))
        else:
            self.event_writer.add_event(_proto.event(wall, step, summary=summary))

    def add_graph_def(self, graph_def, walltime=None):
        wall = time.time() if walltime is None else float(walltime)
        self.event_writer.add_event(_proto.event(wall, graph_def=graph_def))

    def flush(self):
        self.event_writer.flush()

    def close(self):
        self.event_writer.close()


class SummaryWriter:
    """Writes entries directly to event files in ``log_dir`` to be consumed by TensorBoard.

    Args:
        log_dir (str): directory of the event files; default ``runs/<CURRENT_DATETIME>_<HOSTNAME>``
            followed by ``comment``.
        comment (str): suffix of the default ``log_dir``; ignored when ``log_dir`` is given.
        purge_step (int): when logging crashed at step T+X and restarts at step T, events with
            a step >= T are hidden by TensorBoard.
        max_queue (int): pending events after which the writer thread flushes the file.
        flush_secs (int): how often, in seconds, the writer thread flushes the file.
        filename_suffix (str): suffix of every event file name in ``log_dir``.
    """

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10,
                 flush_secs=120, filename_suffix=""):
        if not log_dir:
            import socket
            from datetime import datetime
            current_time = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", current_time + "_" + socket.gethostname() + comment)
        self.log_dir = log_dir
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.file_writer = self.all_writers = None
        self._get_file_writer()
        self.default_bins = S.DEFAULT_BINS

    def _get_file_writer(self):
        """The default FileWriter, recreated (a new event file) after ``close()``."""
        if self.all_writers is None or self.file_writer is None:
            self.file_writer = FileWriter(str(self.log_dir), self.max_queue, self.flush_secs,
                                          self.filename_suffix)
            self.all_writers = {self.file_writer.get_logdir(): self.file_writer}
            if self.purge_step is not None:
                step = int(self.purge_step)
                now = time.time()
                self.file_writer.add_event(_proto.event(now, step, file_version="brain.Event:2"))
                self.file_writer.add_event(_proto.event(
                    now, step, session_log=_proto.session_log(_proto.SESSION_LOG_START)))
                self.purge_step = None
        return self.file_writer

    def get_logdir(self):
        """Return the directory where event files will be written."""
        return self.log_dir

    # --- scalars -----------------------------------------------------------------------------
    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        """Add scalar data to summary (``new_style`` writes a tensor-based summary)."""
        self._get_file_writer().add_summary(
            S.scalar(tag, scalar_value, new_style=new_style, double_precision=double_precision),
            global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Add many scalars to one chart: each key goes to ``<log_dir>/<main_tag>_<key>``."""
        walltime = time.time() if walltime is None else walltime
        fw_logdir = self._get_file_writer().get_logdir()
        for tag, scalar_value in tag_scalar_dict.items():
            fw_tag = fw_logdir + "/" + main_tag.replace("/", "_") + "_" + tag
            fw = self.all_writers.get(fw_tag)
            if fw is None:
                fw = FileWriter(fw_tag, self.max_queue, self.flush_secs, self.filename_suffix)
                self.all_writers[fw_tag] = fw
            fw.add_summary(S.scalar(main_tag, scalar_value), global_step, walltime)

    # --- histograms --------------------------------------------------------------------------
    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None,
                      max_bins=None):
        """Add a histogram; ``bins``: 'tensorflow' (exponential buckets), 'auto', 'fd', ... or
        anything ``numpy.histogram`` accepts."""
        self._get_file_writer().add_summary(
            S.histogram_builder(tag, values, bins, max_bins), global_step, walltime)

    def add_histogram_raw(self, tag, min, max, num, sum, sum_squares, bucket_limits,
                          bucket_counts, global_step=None, walltime=None):
        """Add a histogram from precomputed statistics (``len(bucket_limits) == len(bucket_counts)``)."""
        if len(bucket_limits) != len(bucket_counts):
            raise ValueError("len(bucket_limits) != len(bucket_counts), see the document.")
        self._get_file_writer().add_summary(
            S.histogram_raw(tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts),
            global_step, walltime)

    # --- images ------------------------------------------------------------------------------
    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW"):
        """Add an image: (3,H,W) by default, or (1,H,W), (H,W), (H,W,3) with ``dataformats``.
        Floats are taken as [0, 1] and scaled by 255; uint8 is used as is."""
        self._get_file_writer().add_summary(
            S.image_builder(tag, img_tensor, dataformats), global_step, walltime)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None, dataformats="NCHW"):
        """Add a batch of images (NCHW or NHWC), tiled 8 per row into one image."""
        self._get_file_writer().add_summary(
            S.image_builder(tag, img_tensor, dataformats), global_step, walltime)

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None):
        """Render a matplotlib figure (or a list of them) and add it as an image."""
        import numpy as np
        try:
            import matplotlib.pyplot as plt
            from matplotlib.backends import backend_agg
        except ImportError as e:
            raise ImportError("add_figure needs matplotlib: pip install matplotlib") from e

        def render(fig):
            canvas = backend_agg.FigureCanvasAgg(fig)
            canvas.draw()
            data = np.frombuffer(canvas.buffer_rgba(), dtype=np.uint8)
            w, h = fig.canvas.get_width_height()
            img = np.moveaxis(data.reshape([h, w, 4])[:, :, 0:3], 2, 0)
            if close:
                plt.close(fig)
            return img
        if isinstance(figure, list):
            self.add_image(tag, np.stack([render(f) for f in figure]), global_step, walltime,
                           dataformats="NCHW")
        else:
            self.add_image(tag, render(figure), global_step, walltime, dataformats="CHW")

    # --- text, graph, hparams ----------------------------------------------------------------
    def add_text(self, tag, text_string, global_step=None, walltime=None):
        """Add text (markdown) data to summary."""
        self._get_file_writer().add_summary(S.text(tag, text_string), global_step, walltime)

    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        """Add the graph of one forward pass of ``model`` (traced with forward hooks): one node
        per leaf module, named by its place in the module hierarchy, e.g.
        ``Net/Sequential[features]/Conv2d[conv1]``, with its output shapes as attributes."""
        from .graph import trace_graph
        self._get_file_writer().add_graph_def(trace_graph(model, input_to_model, verbose))

    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None, run_name=None,
                    global_step=None):
        """Add hyperparameters and their metrics (a run in ``<log_dir>/<run_name>``)."""
        if type(hparam_dict) is not dict or type(metric_dict) is not dict:
            raise TypeError("hparam_dict and metric_dict should be dictionary.")
        exp, ssi, sei = S.hparams(hparam_dict, metric_dict, hparam_domain_discrete)
        if not run_name:
            run_name = str(time.time())
        logdir = os.path.join(self._get_file_writer().get_logdir(), run_name)
        with SummaryWriter(log_dir=logdir) as w_hp:
            w_hp.file_writer.add_summary(exp, global_step)
            w_hp.file_writer.add_summary(ssi, global_step)
            w_hp.file_writer.add_summary(sei, global_step)
            for k, v in metric_dict.items():
                w_hp.add_scalar(k, v, global_step)

    # --- lifetime ----------------------------------------------------------------------------
    def flush(self):
        """Wait until every pending event is written to disk."""
        if self.all_writers is None:
            return
        for writer in self.all_writers.values():
            writer.flush()

    def close(self):
        """Flush and close every event file (a later add_* opens a new file)."""
        if self.all_writers is None:
            return
        for writer in self.all_writers.values():
            writer.close()
        self.file_writer = self.all_writers = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()

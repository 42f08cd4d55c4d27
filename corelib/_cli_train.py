"""``corelib train``: train a small image classifier (LeNet on the bundled Digits by default).

Everything the run needs (layers, loss, optimizer, scheduler, transforms, dataset, logger)
is resolved through the registry when the command runs, so this module imports no bundle;
a missing bundle ends the command with the registry's "pip install corelib-..." message.

What a run writes under ``--out`` (default ``runs/<timestamp>``):

- TensorBoard event files (``--logdir``, default the same folder): per-step loss, accuracy
  and learning rate, per-epoch train/test loss and accuracy, parameter histograms, a grid of
  augmented training images, the model graph and the Grad-CAM grid;
- ``checkpoints/epoch_NNN.pt`` after every epoch: model, optimizer, scheduler, epoch, step
  and the RNG states (corelib, numpy, random), which ``--resume`` continues from; with
  ``--workers 0`` a resumed run is bit-identical to an uninterrupted one;
- ``grad_cam.png``: test digits (top row) and their Grad-CAM overlays (bottom row).
"""
from __future__ import annotations

import os
import sys
import time

HELP = "train LeNet (or an MLP) on Digits/Shapes with logs, checkpoints and a Grad-CAM PNG"

#: dataset name -> registry name, channels, normalisation, whether to resize 8x8 -> 32x32
DATASETS = {
    "digits": {"cls": "Digits", "channels": 1, "mean": (0.306,), "std": (0.324,), "resize": True},
    "shapes": {"cls": "Shapes", "channels": 3, "mean": (0.324, 0.330, 0.324),
               "std": (0.275, 0.274, 0.274), "resize": False},
}
OPTIMIZERS = ("sgd", "adam")
SCHEDULERS = ("cosine", "step", "none")
DEFAULTS = {"epochs": 12, "batch_size": 32, "lr": 0.05, "optimizer": "sgd", "momentum": 0.9,
            "weight_decay": 5e-4, "workers": 2, "seed": 0}


class SetupError(Exception):
    """Bad options or a missing bundle: printed without a traceback, exit status 2."""


def configure(parser) -> None:
    from corelib.models import list_models
    d = DEFAULTS
    parser.add_argument("--model", default="lenet", choices=list_models(),
                        help="network to train (default: lenet)")
    parser.add_argument("--dataset", default="digits", choices=sorted(DATASETS),
                        help="bundled dataset, resized to 32x32 (default: digits)")
    parser.add_argument("--epochs", type=int, default=None,
                        help=f"total epochs (default: {d['epochs']}; with --resume, the checkpoint's)")
    parser.add_argument("--batch-size", type=int, default=d["batch_size"],
                        help=f"training batch size (default: {d['batch_size']})")
    parser.add_argument("--lr", type=float, default=d["lr"],
                        help=f"initial learning rate (default: {d['lr']}; try 1e-3 with adam)")
    parser.add_argument("--optimizer", default=d["optimizer"], choices=OPTIMIZERS,
                        help=f"sgd (Nesterov momentum) or adam (default: {d['optimizer']})")
    parser.add_argument("--momentum", type=float, default=d["momentum"],
                        help=f"SGD momentum (default: {d['momentum']})")
    parser.add_argument("--weight-decay", type=float, default=d["weight_decay"],
                        help=f"L2 weight decay (default: {d['weight_decay']})")
    parser.add_argument("--scheduler", default="cosine", choices=SCHEDULERS,
                        help="per-epoch learning-rate schedule: cosine annealing to 0, step "
                             "(x0.1 at 1/2 and 3/4 of the epochs) or none (default: cosine)")
    parser.add_argument("--no-augment", dest="augment", action="store_false",
                        help="turn off the random affine augmentation of training images")
    parser.add_argument("--workers", type=int, default=d["workers"],
                        help=f"DataLoader worker processes for training (default: {d['workers']})")
    parser.add_argument("--seed", type=int, default=d["seed"], help=f"random seed (default: {d['seed']})")
    parser.add_argument("--device", default="cpu",
                        help="cpu (default), cuda or cuda:N (needs a GPU and numba-cuda)")
    parser.add_argument("--out", metavar="DIR", default=None,
                        help="folder for checkpoints, the Grad-CAM PNG and (by default) the logs; "
                             "default: runs/<timestamp>, or the resumed run's folder")
    parser.add_argument("--logdir", metavar="DIR", default=None,
                        help="TensorBoard log folder (default: the --out folder)")
    parser.add_argument("--resume", metavar="PATH", default=None,
                        help="continue from a checkpoint file, or the latest one in a run or "
                             "checkpoints folder")
    parser.add_argument("--stop-after", type=int, metavar="N", default=None,
                        help="stop after N epochs of this run, as if interrupted (resume later)")
    parser.add_argument("--limit-batches", type=int, metavar="N", default=None,
                        help="use at most N batches per epoch for training and for testing "
                             "(quick checks)")
    parser.add_argument("--plugins", action="store_true",
                        help="print the plugins (and the components of each) this run uses")
    parser.add_argument("--progress", default="auto", choices=("auto", "always", "never"),
                        help="\\r-updated progress bar on stderr: auto = only on a terminal "
                             "(otherwise one line per epoch)")


def main(args) -> int:
    try:
        return _train(args)
    except SetupError as e:
        print(f"corelib train: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ncorelib train: interrupted; resume with --resume from the last checkpoint",
              file=sys.stderr)
        return 130


# ----------------------------------------------------------------------------- set-up

class _Components:
    """Every bundle-provided class/function the run uses, resolved through the facades."""


def _get(module, name):
    try:
        return getattr(module, name)
    except AttributeError as e:
        raise SetupError(str(e)) from None


def _resolve(args):
    import corelib
    import corelib.datasets
    import corelib.nn
    import corelib.optim
    import corelib.optim.lr_scheduler
    import corelib.transforms
    import corelib.utils
    import corelib.utils.tensorboard

    c = _Components()
    spec = DATASETS[args.dataset]
    c.used = []                                   # (kind, class or function) for --plugins

    def use(kind, module, name):
        obj = _get(module, name)
        c.used.append((kind, obj))
        return obj

    c.dataset = use("dataset", corelib.datasets, spec["cls"])
    T = corelib.transforms
    c.Compose, c.Resize, c.RandomAffine, c.ToTensor, c.Normalize = (
        use("transform", T, n) for n in ("Compose", "Resize", "RandomAffine", "ToTensor", "Normalize"))
    c.loss = use("loss", corelib.nn, "CrossEntropyLoss")
    c.optimizer = use("optimizer", corelib.optim, {"sgd": "SGD", "adam": "Adam"}[args.optimizer])
    if args.scheduler != "none":
        c.scheduler = use("scheduler", corelib.optim.lr_scheduler,
                          {"cosine": "CosineAnnealingLR", "step": "MultiStepLR"}[args.scheduler])
    c.SummaryWriter = use("logger", corelib.utils.tensorboard, "SummaryWriter")
    c.make_grid = use("logger", corelib.utils, "make_grid")
    return c


def _build_model(args, channels, num_classes):
    from corelib.models import create_model
    try:
        model = create_model(args.model, num_classes=num_classes, in_channels=channels)
    except AttributeError as e:
        raise SetupError(str(e)) from None
    return model


def _print_plugins(used, model):
    """One line per plugin: its distribution and the components this run takes from it."""
    from corelib import registry
    from corelib._catalog import snake_case
    owner = {}
    for p in registry.plugins():
        for kind, names in p.provides.items():
            for name in names:
                owner.setdefault((kind, name), f"{p.name} ({p.dist}=={p.version})" if p.dist
                                 else p.name)
    layers = []
    for m in model.modules():
        if type(m).__module__.split(".")[0] != "corelib" and type(m) not in layers:
            layers.append(type(m))
    rows = {}
    for kind, obj in [("layer", t) for t in layers] + used:
        name = getattr(obj, "__name__", str(obj))
        who = owner.get((kind, snake_case(name, kind)), "?")
        rows.setdefault(who, [])
        if name not in rows[who]:
            rows[who].append(name)
    print("plugins in use:")
    for who in sorted(rows):
        print(f"  {who}: {', '.join(rows[who])}")


def _device(name):
    import corelib
    try:
        dev = corelib.device(name)
    except (RuntimeError, ValueError, TypeError) as e:
        raise SetupError(f"--device {name!r}: {e}") from None
    if dev.type == "cuda":
        import corelib.cuda
        if not corelib.cuda.is_available():
            raise SetupError(f"--device {name}: CUDA is not available here (no GPU, or numba-cuda "
                             f"is not installed: pip install 'corelib[cuda]'); use --device cpu")
    elif dev.type != "cpu":
        raise SetupError(f"--device must be cpu or cuda[:N], got {name!r}")
    return dev


def _find_checkpoint(path):
    from pathlib import Path
    p = Path(path)
    if p.is_dir():
        for folder in (p / "checkpoints", p):
            found = sorted(folder.glob("epoch_*.pt"))
            if found:
                return found[-1]
        raise SetupError(f"--resume {path}: no checkpoints/epoch_*.pt in this folder")
    if not p.is_file():
        raise SetupError(f"--resume {path}: no such file or folder")
    return p


def _new_run_dir():
    from pathlib import Path
    base = Path("runs") / time.strftime("%Y%m%d-%H%M%S")
    out, i = base, 1
    while out.exists():
        out, i = base.with_name(f"{base.name}-{i}"), i + 1
    return out


# ----------------------------------------------------------------------------- RNG states

def _rng_states():
    import random

    import numpy as np

    import corelib
    name, keys, pos, has_gauss, gauss = np.random.get_state()
    version, internal, gauss_next = random.getstate()
    return {
        "corelib": corelib.random.get_rng_state(),
        "numpy": {"name": name, "keys": corelib.from_numpy(keys.astype(np.int64)), "pos": int(pos),
                  "has_gauss": int(has_gauss), "cached_gaussian": float(gauss)},
        "python": {"version": version, "internal": list(internal), "gauss_next": gauss_next},
    }


def _set_rng_states(st):
    import random

    import numpy as np

    import corelib
    corelib.random.set_rng_state(st["corelib"])
    n = st["numpy"]
    np.random.set_state((n["name"], n["keys"].numpy().astype(np.uint32), n["pos"], n["has_gauss"],
                         n["cached_gaussian"]))
    p = st["python"]
    random.setstate((p["version"], tuple(p["internal"]), p["gauss_next"]))


# ----------------------------------------------------------------------------- progress bar

class _Progress:
    """A plain-text progress line, rewritten in place with ``\\r`` on a terminal."""

    def __init__(self, stream, live, width=20):
        self.stream, self.live, self.width = stream, live, width
        self._last = 0.0
        self._len = 0

    def update(self, text, done, total, force=False):
        if not self.live:
            return
        now = time.perf_counter()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        filled = int(self.width * done / max(total, 1))
        line = f"{text} [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total}"
        self._write("\r" + line.ljust(self._len))
        self._len = len(line)

    def finish(self, line):
        self._write(("\r" + line.ljust(self._len) if self.live else line) + "\n")
        self._len = 0

    def _write(self, s):
        self.stream.write(s)
        self.stream.flush()


# ----------------------------------------------------------------------------- training

def _evaluate(model, loader, loss_fn, device, limit):
    import corelib
    model.eval()
    total, correct, loss_sum = 0, 0, 0.0
    with corelib.no_grad():
        for i, (x, y) in enumerate(loader):
            if limit is not None and i >= limit:
                break
            x, y = x.to(device), y.to(device)
            out = model(x)
            loss_sum += float(loss_fn(out, y).item()) * len(y)
            correct += int((out.argmax(1) == y).sum().item())
            total += len(y)
    model.train()
    return loss_sum / max(total, 1), correct / max(total, 1), correct, total


def _train(args):
    t_start = time.perf_counter()
    import random
    from pathlib import Path

    import numpy as np

    import corelib
    from corelib.utils.cam import grad_cam, overlay_grid
    from corelib.utils.data import DataLoader

    for name in ("batch_size", "workers"):
        if getattr(args, name) < (1 if name == "batch_size" else 0):
            raise SetupError(f"--{name.replace('_', '-')} must be "
                             f"{'>= 1' if name == 'batch_size' else '>= 0'}, got {getattr(args, name)}")
    for name in ("epochs", "limit_batches", "stop_after"):
        v = getattr(args, name)
        if v is not None and v < 1:
            raise SetupError(f"--{name.replace('_', '-')} must be >= 1, got {v}")
    if args.lr <= 0:
        raise SetupError(f"--lr must be > 0, got {args.lr}")

    device = _device(args.device)
    ckpt = None
    if args.resume:
        ckpt_path = _find_checkpoint(args.resume)
        try:
            ckpt = corelib.load(str(ckpt_path), map_location="cpu")
        except Exception as e:                    # corrupt/truncated: the loader names the file
            raise SetupError(f"--resume: {e}") from None
        saved = ckpt.get("args", {})
        for key in ("model", "dataset", "optimizer", "scheduler"):
            if key in saved and saved[key] != getattr(args, key):
                raise SetupError(f"--resume {ckpt_path}: the checkpoint was made with --{key} "
                                 f"{saved[key]}, this run has --{key} {getattr(args, key)}")
    epochs = args.epochs if args.epochs is not None else (
        ckpt["args"]["epochs"] if ckpt is not None else DEFAULTS["epochs"])

    if args.out is not None:
        run_dir = Path(args.out)
    elif ckpt is not None:
        run_dir = ckpt_path.parent.parent if ckpt_path.parent.name == "checkpoints" else ckpt_path.parent
    else:
        run_dir = _new_run_dir()
    logdir = Path(args.logdir) if args.logdir else run_dir
    ckpt_dir = run_dir / "checkpoints"

    corelib.manual_seed(args.seed)
    np.random.seed(args.seed)
    random.seed(args.seed)

    C = _resolve(args)
    spec = DATASETS[args.dataset]
    tf = []
    if spec["resize"]:
        tf.append(C.Resize(32))
    test_tf = C.Compose(tf + [C.ToTensor(), C.Normalize(spec["mean"], spec["std"])])
    if args.augment:
        tf.append(C.RandomAffine(degrees=10, translate=(0.1, 0.1), scale=(0.9, 1.1)))
    train_tf = C.Compose(tf + [C.ToTensor(), C.Normalize(spec["mean"], spec["std"])])
    train_set = C.dataset(train=True, transform=train_tf)
    test_set = C.dataset(train=False, transform=test_tf)
    num_classes = len(train_set.classes)
    model = _build_model(args, spec["channels"], num_classes).to(device)
    loss_fn = C.loss()
    if args.optimizer == "sgd":
        optimizer = C.optimizer(model.parameters(), lr=args.lr, momentum=args.momentum,
                                nesterov=args.momentum > 0, weight_decay=args.weight_decay)
    else:
        optimizer = C.optimizer(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    scheduler = None
    if args.scheduler == "cosine":
        scheduler = C.scheduler(optimizer, T_max=epochs)
    elif args.scheduler == "step":
        scheduler = C.scheduler(optimizer, milestones=[max(1, epochs // 2), max(1, 3 * epochs // 4)],
                                gamma=0.1)
    if args.plugins:
        _print_plugins(C.used, model)

    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                              num_workers=args.workers)
    test_loader = DataLoader(test_set, batch_size=256, shuffle=False, num_workers=0)
    n_train_batches = len(train_loader) if args.limit_batches is None else min(
        len(train_loader), args.limit_batches)

    start_epoch, global_step = 0, 0
    if ckpt is not None:
        model.load_state_dict(ckpt["model_state_dict"])
        optimizer.load_state_dict(ckpt["optimizer_state_dict"])
        if scheduler is not None and ckpt.get("scheduler_state_dict") is not None:
            scheduler.load_state_dict(ckpt["scheduler_state_dict"])
        start_epoch, global_step = int(ckpt["epoch"]), int(ckpt["global_step"])
        if ckpt["args"].get("epochs") != epochs:
            print(f"note: the checkpoint was made for {ckpt['args'].get('epochs')} epochs; "
                  f"training to {epochs}", file=sys.stderr)

    ckpt_dir.mkdir(parents=True, exist_ok=True)
    writer = C.SummaryWriter(log_dir=str(logdir), purge_step=global_step + 1 if ckpt else None)
    print(f"corelib train: {args.model} on {args.dataset} ({len(train_set)} train / "
          f"{len(test_set)} test images), {epochs} epochs, batch {args.batch_size}, "
          f"{args.optimizer} lr {args.lr}, {args.scheduler} schedule, {args.workers} workers, "
          f"device {device}, seed {args.seed}", flush=True)
    if ckpt is not None:
        print(f"resumed from {ckpt_path} (epoch {start_epoch}, step {global_step})", flush=True)
    else:                                          # once per run: a batch of inputs, the graph
        batch = corelib.stack([train_set[i][0] for i in range(min(64, len(train_set)))])
        writer.add_image("train/augmented_batch", C.make_grid(batch, nrow=8, normalize=True), 0)
        writer.add_graph(model, batch[:1].to(device))
    if ckpt is not None:                           # last: everything above may draw numbers
        _set_rng_states(ckpt["rng_state"])

    progress = _Progress(sys.stderr, args.progress == "always" or
                         (args.progress == "auto" and sys.stderr.isatty()))
    last_ckpt = None
    test_acc = test_correct = test_total = None
    epochs_run = 0
    model.train()
    for epoch in range(start_epoch, epochs):
        if args.stop_after is not None and epochs_run >= args.stop_after:
            print(f"stopped after {epochs_run} epoch(s) (--stop-after); continue with "
                  f"--resume {last_ckpt}", flush=True)
            break
        t_epoch = time.perf_counter()
        seen, correct, loss_sum = 0, 0, 0.0
        lr = optimizer.param_groups[0]["lr"]
        for i, (x, y) in enumerate(train_loader):
            if i >= n_train_batches:
                break
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            out = model(x)
            loss = loss_fn(out, y)
            loss.backward()
            optimizer.step()
            global_step += 1
            loss_v = float(loss.item())
            batch_correct = int((out.argmax(1) == y).sum().item())
            seen += len(y)
            correct += batch_correct
            loss_sum += loss_v * len(y)
            writer.add_scalar("train/loss", loss_v, global_step)
            writer.add_scalar("train/accuracy", batch_correct / len(y), global_step)
            ips = seen / max(time.perf_counter() - t_epoch, 1e-9)
            progress.update(f"epoch {epoch + 1}/{epochs} loss {loss_sum / seen:.4f} "
                            f"acc {100 * correct / seen:5.1f}% {ips:5.0f} img/s",
                            i + 1, n_train_batches, force=i + 1 == n_train_batches)
        train_time = time.perf_counter() - t_epoch
        if scheduler is not None:
            scheduler.step()
        test_loss, test_acc, test_correct, test_total = _evaluate(
            model, test_loader, loss_fn, device, args.limit_batches)
        ips = seen / max(train_time, 1e-9)
        progress.finish(f"epoch {epoch + 1}/{epochs} loss {loss_sum / max(seen, 1):.4f} "
                        f"acc {100 * correct / max(seen, 1):5.1f}% {ips:5.0f} img/s | test loss "
                        f"{test_loss:.4f} acc {100 * test_acc:5.2f}% | lr {lr:.4g} | "
                        f"{time.perf_counter() - t_epoch:.1f}s")
        e = epoch + 1
        writer.add_scalar("epoch/train_loss", loss_sum / max(seen, 1), e)
        writer.add_scalar("epoch/train_accuracy", correct / max(seen, 1), e)
        writer.add_scalar("epoch/test_loss", test_loss, e)
        writer.add_scalar("epoch/test_accuracy", test_acc, e)
        writer.add_scalar("epoch/lr", lr, e)
        writer.add_scalar("epoch/images_per_sec", ips, e)
        for name, p in model.named_parameters():
            writer.add_histogram(f"params/{name}", p.detach().cpu(), e)
        last_ckpt = ckpt_dir / f"epoch_{e:03d}.pt"
        corelib.save({
            "model_state_dict": model.state_dict(),
            "optimizer_state_dict": optimizer.state_dict(),
            "scheduler_state_dict": scheduler.state_dict() if scheduler is not None else None,
            "epoch": e,
            "global_step": global_step,
            "test_accuracy": float(test_acc),
            "rng_state": _rng_states(),
            "args": {"model": args.model, "dataset": args.dataset, "optimizer": args.optimizer,
                     "scheduler": args.scheduler, "epochs": epochs, "lr": args.lr,
                     "batch_size": args.batch_size, "seed": args.seed},
        }, str(last_ckpt))
        epochs_run += 1

    if test_acc is None:                           # nothing left to train (resumed at the end)
        _, test_acc, test_correct, test_total = _evaluate(
            model, test_loader, loss_fn, device, args.limit_batches)
        found = sorted(ckpt_dir.glob("epoch_*.pt"))
        last_ckpt = found[-1] if found else None

    # Grad-CAM of one test image per class (the first of each), upscaled, as one PNG
    picks, seen_classes = [], set()
    targets = [int(t) for t in getattr(test_set, "targets", [])]
    for i, t in enumerate(targets):
        if t not in seen_classes:
            seen_classes.add(t)
            picks.append(i)
    picks = sorted(picks, key=lambda i: targets[i])[:10] or list(range(min(8, len(test_set))))
    images = corelib.stack([test_set[i][0] for i in picks]).to(device)
    heat, logits = grad_cam(model, getattr(model, "cam_layer", None), images, return_logits=True)
    grid = overlay_grid(images.cpu(), heat, size=96)
    cam_path = run_dir / "grad_cam.png"
    from PIL import Image
    Image.fromarray(grid).save(cam_path)
    writer.add_image("grad_cam", grid, epochs, dataformats="HWC")
    writer.add_text("grad_cam/predictions", " ".join(
        f"{test_set.classes[int(targets[i])] if targets else '?'}->{test_set.classes[int(p)]}"
        for i, p in zip(picks, logits.argmax(1))), epochs)
    writer.close()

    elapsed = time.perf_counter() - t_start
    print(f"test accuracy: {100 * test_acc:.2f}% ({test_correct}/{test_total})")
    print(f"time: {elapsed:.1f} s")
    print(f"logs: {logdir}  (view them: tensorboard --logdir {logdir})")
    print(f"checkpoint: {last_ckpt}")
    print(f"grad-cam: {cam_path}")
    return 0

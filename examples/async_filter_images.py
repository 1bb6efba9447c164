"""Overlap I/O with compute: read a folder of images, filter them in parallel, write them back.

    python examples/async_filter_images.py [--folder DIR] [--count 24] [--size 1024]

Without --folder it makes a temporary folder of random float32 images (.npy).
Each image is read in a worker thread (asyncio.to_thread), blurred with
``await pycompute.aio.gaussian_filter(...)`` (off the event loop, in
pycompute's pool; the kernels release the GIL) and written back, with a few
images in flight at once, so disk and cores are busy together. The same work
done one image at a time is timed for comparison.
"""
import argparse
import asyncio
import os
import tempfile
import time

import numpy as np

import pycompute as pc
import pycompute.aio as aio


def make_images(folder, count, size):
    rng = np.random.default_rng(0)
    for i in range(count):
        np.save(os.path.join(folder, f"img{i:03d}.npy"), rng.random((size, size), np.float32))


async def process(path, out_dir, sem):
    async with sem:
        img = await asyncio.to_thread(np.load, path)
        out = await aio.gaussian_filter(img, 3.0)
        await asyncio.to_thread(np.save, os.path.join(out_dir, os.path.basename(path)), out)


async def pipeline(paths, out_dir, in_flight):
    sem = asyncio.Semaphore(in_flight)
    await asyncio.gather(*(process(p, out_dir, sem) for p in paths))


def sequential(paths, out_dir):
    for p in paths:
        np.save(os.path.join(out_dir, os.path.basename(p)), pc.gaussian_filter(np.load(p), 3.0))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--folder")
    ap.add_argument("--count", type=int, default=24)
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--in-flight", type=int, default=4)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder or os.path.join(tmp, "in")
        if not args.folder:
            os.makedirs(folder)
            make_images(folder, args.count, args.size)
        paths = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".npy"))
        out_a, out_s = os.path.join(tmp, "out_async"), os.path.join(tmp, "out_seq")
        os.makedirs(out_a)
        os.makedirs(out_s)
        pc.gaussian_filter(np.load(paths[0]), 3.0)  # warm up
        t = time.perf_counter()
        sequential(paths, out_s)
        t_seq = time.perf_counter() - t
        t = time.perf_counter()
        asyncio.run(pipeline(paths, out_a, args.in_flight))
        t_async = time.perf_counter() - t
        same = all(np.array_equal(np.load(os.path.join(out_a, os.path.basename(p))),
                                  np.load(os.path.join(out_s, os.path.basename(p))))
                   for p in paths)
        print(f"{len(paths)} images {args.size}x{args.size} float32, gaussian_filter(sigma=3)")
        print(f"one at a time: {t_seq:.2f} s   asyncio pipeline ({args.in_flight} in flight): "
              f"{t_async:.2f} s   x{t_seq / t_async:.2f}   identical results: {same}")


if __name__ == "__main__":
    main()

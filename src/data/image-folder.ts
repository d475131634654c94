import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { resizeBilinear } from './bilinear.ts';
import { MAX_CLASSES } from './dataset.ts';
import type { Dataset, Rgb, Split } from './dataset.ts';
import { checkPositiveInteger, DatasetError } from './errors.ts';
import { decodePng } from './png.ts';
import type { RgbImage } from './png.ts';

export interface ImageFolderOptions {
  /** Store every image at this square side (bilinear). Default: the first image's size, others resized to it. */
  resolution?: number;
}

/** ImageNet statistics: the usual choice for natural photos of unknown origin, and the same for every split. */
const IMAGENET_MEAN: Rgb = [0.485, 0.456, 0.406];
const IMAGENET_STD: Rgb = [0.229, 0.224, 0.225];

const NOT_DECODED = new Set(['.jpg', '.jpeg', '.gif', '.bmp', '.webp', '.tif', '.tiff']);

/**
 * A class-per-folder image set as torchvision's ImageFolder lays it out: <root>/<class>/<image>.png, classes
 * numbered in sorted folder order, images in sorted file order. The root is <dir>/train for the train split
 * (or <dir> itself when there is no train folder) and <dir>/test or <dir>/val for the test split. Only PNG
 * is decoded (see decodePng); other image formats are refused by name, non-image files are skipped.
 */
export function readImageFolder(dir: string, split: Split, options: ImageFolderOptions = {}): Dataset {
  if (options.resolution !== undefined) checkPositiveInteger('resolution', options.resolution);
  const root = splitRoot(dir, split);
  const classNames = subfolders(root);
  if (classNames.length === 0) throw new DatasetError(`imagefolder: ${root} has no class sub-folders; expected ${root}/<class>/<image>.png`);
  if (classNames.length > MAX_CLASSES) throw new DatasetError(`imagefolder: ${root} has ${classNames.length} classes; at most ${MAX_CLASSES} are supported`);
  const files = classNames.flatMap((name, label) => imageFiles(join(root, name)).map((file) => ({ file, label })));
  let height = options.resolution ?? 0;
  let width = options.resolution ?? 0;
  let images = new Uint8Array(0);
  const labels = new Uint8Array(files.length);
  files.forEach(({ file, label }, i) => {
    const image = decodePng(readFileSync(file), file);
    if (i === 0) {
      height ||= image.height;
      width ||= image.width;
      images = new Uint8Array(files.length * height * width * 3);
    }
    images.set(fitTo(image, height, width), i * height * width * 3);
    labels[i] = label;
  });
  return {
    name: 'imagefolder',
    classes: classNames.length,
    classNames,
    size: files.length,
    height,
    width,
    channels: 3,
    mean: IMAGENET_MEAN,
    std: IMAGENET_STD,
    images,
    labels,
  };
}

function splitRoot(dir: string, split: Split): string {
  if (!isDirectory(dir)) throw new DatasetError(`imagefolder: directory ${dir} does not exist; expected ${dir}/train/<class>/<image>.png and ${dir}/test/<class>/<image>.png`);
  const candidates = split === 'train' ? ['train'] : ['test', 'val'];
  const found = candidates.map((name) => join(dir, name)).find(isDirectory);
  if (found !== undefined) return found;
  if (split === 'train') return dir;
  throw new DatasetError(`imagefolder: no test or val folder in ${dir}; add one, or split the train set with splitDataset`);
}

function subfolders(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
}

function imageFiles(classDir: string): string[] {
  const names = readdirSync(classDir).filter((name) => !name.startsWith('.')).sort();
  const refused = names.find((name) => NOT_DECODED.has(extname(name).toLowerCase()));
  if (refused !== undefined) {
    throw new DatasetError(`imagefolder: ${join(classDir, refused)}: only PNG images can be read (no decoder for ${extname(refused)}); convert the set to PNG`);
  }
  const pngs = names.filter((name) => extname(name).toLowerCase() === '.png').map((name) => join(classDir, name));
  if (pngs.length === 0) throw new DatasetError(`imagefolder: class folder ${classDir} has no .png images`);
  return pngs;
}

/** The image's pixels at height x width: as they are, or resized bilinearly and rounded to bytes. */
function fitTo(image: RgbImage, height: number, width: number): Uint8Array {
  if (image.height === height && image.width === width) return image.pixels;
  const resized = resizeBilinear(image.pixels, image.height, image.width, 3, height, width);
  return Uint8Array.from(resized, (value) => Math.round(value));
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/**
 * TIFF 6.0 file structure (TIFF 6.0 §2): header, image file directories and their field values,
 * read defensively: every offset and count is checked against the file, loops are detected.
 */

export type TiffErrorKind = 'not-tiff' | 'unsupported' | 'corrupt';

export class TiffError extends Error {
  constructor(
    readonly kind: TiffErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'TiffError';
  }
}

/** Tags used by TIFF Class F (TIFF 6.0 Section 11 and the Class F specification). */
export const TAG = {
  NewSubfileType: 254,
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  Photometric: 262,
  FillOrder: 266,
  StripOffsets: 273,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  XResolution: 282,
  YResolution: 283,
  PlanarConfiguration: 284,
  Predictor: 317,
  T4Options: 292,
  T6Options: 293,
  ResolutionUnit: 296,
  PageNumber: 297,
  Software: 305,
  BadFaxLines: 326,
  CleanFaxData: 327,
  ConsecutiveBadFaxLines: 328,
} as const;

/** Field types: BYTE, ASCII, SHORT, LONG, RATIONAL … and their sizes (TIFF 6.0 §2). */
const TYPE_SIZE = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8];

/** Directory fields as numbers (RATIONALs become their quotient). */
export type Ifd = Map<number, number[]>;

const MAX_PAGES = 1000;
const MAX_VALUES = 1 << 20;

export class TiffStructure {
  private readonly view: DataView;
  readonly little: boolean;

  constructor(readonly buf: Uint8Array) {
    if (buf.length < 8) throw new TiffError('not-tiff', 'file too short for a TIFF header');
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const order = this.view.getUint16(0, false);
    if (order !== 0x4949 && order !== 0x4d4d) throw new TiffError('not-tiff', 'no II/MM byte order mark');
    this.little = order === 0x4949;
    const magic = this.u16(2);
    if (magic === 43) throw new TiffError('unsupported', 'BigTIFF is not supported');
    if (magic !== 42) throw new TiffError('not-tiff', `bad TIFF magic ${magic}`);
  }

  u16(offset: number): number {
    this.check(offset, 2);
    return this.view.getUint16(offset, this.little);
  }

  u32(offset: number): number {
    this.check(offset, 4);
    return this.view.getUint32(offset, this.little);
  }

  check(offset: number, length: number): void {
    if (offset < 0 || length < 0 || offset + length > this.buf.length) {
      throw new TiffError(
        'corrupt',
        `offset ${offset}+${length} outside the file (${this.buf.length} bytes)`,
      );
    }
  }

  /** All directories in file order. */
  directories(): Ifd[] {
    const seen = new Set<number>();
    const out: Ifd[] = [];
    let offset = this.u32(4);
    while (offset !== 0) {
      if (seen.has(offset)) throw new TiffError('corrupt', 'directory chain loops');
      if (out.length >= MAX_PAGES) throw new TiffError('unsupported', `more than ${MAX_PAGES} pages`);
      seen.add(offset);
      const count = this.u16(offset);
      this.check(offset + 2, count * 12 + 4);
      const ifd: Ifd = new Map();
      for (let i = 0; i < count; i++) {
        const e = offset + 2 + i * 12;
        const values = this.values(e);
        if (values) ifd.set(this.u16(e), values);
      }
      out.push(ifd);
      offset = this.u32(offset + 2 + count * 12);
    }
    return out;
  }

  private values(entry: number): number[] | undefined {
    const type = this.u16(entry + 2);
    const count = this.u32(entry + 4);
    const size = TYPE_SIZE[type];
    if (!size) return undefined; // unknown types are skipped (TIFF 6.0 §2)
    if (count > MAX_VALUES) throw new TiffError('corrupt', `field with ${count} values`);
    const total = size * count;
    const at = total <= 4 ? entry + 8 : this.u32(entry + 8);
    this.check(at, total);
    const v = this.view;
    const le = this.little;
    const out = new Array<number>(count);
    for (let i = 0; i < count; i++) {
      const p = at + i * size;
      switch (type) {
        case 3:
          out[i] = v.getUint16(p, le);
          break;
        case 8:
          out[i] = v.getInt16(p, le);
          break;
        case 4:
          out[i] = v.getUint32(p, le);
          break;
        case 9:
          out[i] = v.getInt32(p, le);
          break;
        case 5:
          out[i] = v.getUint32(p, le) / (v.getUint32(p + 4, le) || 1);
          break;
        case 10:
          out[i] = v.getInt32(p, le) / (v.getInt32(p + 4, le) || 1);
          break;
        case 11:
          out[i] = v.getFloat32(p, le);
          break;
        case 12:
          out[i] = v.getFloat64(p, le);
          break;
        case 6:
          out[i] = v.getInt8(p);
          break;
        default:
          out[i] = v.getUint8(p);
      }
    }
    return out;
  }
}

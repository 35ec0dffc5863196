// Makes Jazzer.js's prebuilt fuzzer (built against glibc 2.38 and libstdc++ 13) load on Debian 12
// (glibc 2.36, libstdc++ 12). It asks those libraries for three symbols only; their version
// requirements are marked weak in the ELF file (so the loader no longer refuses it) and a small
// preloaded library (glibc-compat.cc) supplies the symbols. Nothing else in the file changes.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SHT_GNU_VERNEED = 0x6ffffffe;
const VER_FLG_WEAK = 0x2;
/** The versions the prebuilt asks for that Debian 12 lacks. */
const MISSING_VERSIONS = ['GLIBC_2.38', 'GLIBCXX_3.4.32'];

/** Path of the prebuilt fuzzer addon that @jazzer.js/fuzzer loads on this platform. */
export function jazzerPrebuilt(): string {
  const require = createRequire(import.meta.url);
  const pkg = dirname(require.resolve('@jazzer.js/fuzzer/package.json'));
  return join(pkg, 'prebuilds', `fuzzer-${process.platform}-${process.arch}.node`);
}

/**
 * Sets the weak flag on the named version requirements of an ELF64 little-endian file, in place;
 * returns how many it set (0 when they already were weak, or absent).
 */
export function weakenVersionRequirements(file: string, versions: readonly string[] = MISSING_VERSIONS): number {
  const b = readFileSync(file);
  if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2 || b[5] !== 1) throw new Error(`${file} is not a 64-bit little-endian ELF file`);
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shentsize = b.readUInt16LE(0x3a);
  const shnum = b.readUInt16LE(0x3c);
  const section = (i: number) => {
    const o = shoff + i * shentsize;
    return { type: b.readUInt32LE(o + 4), offset: Number(b.readBigUInt64LE(o + 0x18)), link: b.readUInt32LE(o + 0x28), info: b.readUInt32LE(o + 0x2c) };
  };
  let changed = 0;
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    if (s.type !== SHT_GNU_VERNEED) continue;
    const strings = section(s.link).offset;
    const name = (at: number) => b.toString('latin1', strings + at, b.indexOf(0, strings + at));
    // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32.
    // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
    let need = s.offset;
    for (let n = 0; n < s.info; n++) {
      let aux = need + b.readUInt32LE(need + 8);
      for (let k = 0; k < b.readUInt16LE(need + 2); k++) {
        const flags = b.readUInt16LE(aux + 4);
        if (versions.includes(name(b.readUInt32LE(aux + 8))) && !(flags & VER_FLG_WEAK)) {
          b.writeUInt16LE(flags | VER_FLG_WEAK, aux + 4);
          changed++;
        }
        aux += b.readUInt32LE(aux + 12);
      }
      need += b.readUInt32LE(need + 12);
    }
  }
  if (changed) writeFileSync(file, b);
  return changed;
}

/** Builds the preloaded library with g++ into `dir`; returns its path. */
export function buildCompatLibrary(dir: string): string {
  const out = join(dir, 'libegresswatch-fuzz-compat.so');
  // Compiled to dist/bench/fuzz/: the source stays in bench/fuzz/.
  const source = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bench', 'fuzz', 'glibc-compat.cc');
  execFileSync('g++', ['-shared', '-fPIC', '-O2', '-o', out, source], { stdio: 'inherit' });
  return out;
}

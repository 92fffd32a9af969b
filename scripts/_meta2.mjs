import * as esbuild from 'esbuild';
const r = await esbuild.build({ entryPoints: [process.argv[2]], bundle: true, platform: 'node', format: 'esm', target: 'node24', minify: true, write: false, metafile: true, mainFields: ['module','main'], external: ['pg-native'], outfile: '/tmp/x.mjs' });
const out = Object.values(r.metafile.outputs)[0];
const pat = new RegExp(process.argv[3]);
for (const [f, i] of Object.entries(out.inputs).filter(([f]) => pat.test(f)).sort((a,b)=>b[1].bytesInOutput-a[1].bytesInOutput).slice(0,30)) console.log(f, i.bytesInOutput);

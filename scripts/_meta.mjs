import * as esbuild from 'esbuild';
const entry = process.argv[2];
const r = await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node24', minify: true, write: false, metafile: true, mainFields: ['module','main'], external: ['pg-native'], outfile: '/tmp/x.mjs' });
const out = Object.values(r.metafile.outputs)[0];
console.log('total', out.bytes);
const by = {};
for (const [f, i] of Object.entries(out.inputs)) { const m = f.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/); const k = m ? m[1] : f.split('/').slice(0,2).join('/'); by[k] = (by[k]||0) + i.bytesInOutput; }
for (const [k,v] of Object.entries(by).sort((a,b)=>b[1]-a[1]).slice(0,25)) console.log(k, (v/1024).toFixed(1));

import sharp from 'sharp';
const files = [1,2,3,4,5,6,7].map(k=>`/tmp/look-${k}.png`);
const W=256,H=128;
const comps = files.map((f,i)=>({input:f, left:(i%2)*W, top:Math.floor(i/2)*H}));
const buf = await sharp({create:{width:W*2,height:H*4,channels:3,background:'white'}}).composite(comps).png().toBuffer();
await sharp(buf).resize(W*4,H*8,{kernel:'nearest'}).toFile('/tmp/look-all.png');

// Photos from a phone camera are often 5–12 MB; on a weak uplink that is
// minutes. shrinkPhoto re-encodes a JPEG, PNG or WebP photo as a JPEG no
// larger than maxBytes (the server's limit) and no wider or taller than
// maxSide pixels, keeping the camera's orientation. A PDF, or a photo the
// browser cannot decode, comes back unchanged (the server judges it).
const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp']

export async function shrinkPhoto(file, maxBytes, maxSide = 2560) {
  if (!PHOTO_TYPES.includes(file.type) || (file.size <= maxBytes && file.size <= 1.5 * 1024 * 1024)) return file
  let bitmap
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' })
  } catch {
    return file
  }
  let side = maxSide
  for (let attempt = 0; attempt < 6; attempt++) {
    const scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height))
    const w = Math.round(bitmap.width * scale)
    const h = Math.round(bitmap.height * scale)
    const canvas = document.createElement('canvas')
    canvas.width = w
    canvas.height = h
    const g = canvas.getContext('2d')
    g.fillStyle = '#fff' // a transparent PNG gets a white page, not black
    g.fillRect(0, 0, w, h)
    g.drawImage(bitmap, 0, 0, w, h)
    for (const quality of [0.85, 0.7]) {
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality))
      if (blob && blob.size <= Math.min(maxBytes, file.size)) {
        bitmap.close()
        const name = file.name.replace(/\.[^.]*$/, '') + '.jpg'
        return new File([blob], name, { type: 'image/jpeg', lastModified: file.lastModified })
      }
    }
    side = Math.round(side * 0.75)
  }
  bitmap.close()
  return file
}

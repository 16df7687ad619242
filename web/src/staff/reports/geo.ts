// Commune boundaries (GeoJSON, WGS 84) turned into SVG paths for the choropleth. An
// equirectangular projection scaled by the cosine of the mean latitude is exact enough for
// one province (a few hundred kilometres) and needs no map library.

export interface BoundaryFeature {
  properties?: Record<string, unknown> | null;
  geometry?: { type: string; coordinates: unknown } | null;
}

export interface CommuneShape {
  code: string;
  name: string;
  path: string;
}

type Ring = [number, number][];

/** The commune code of a feature: `ma_xa`, `maXa`, `code` or `commune` (5 digits). */
export function communeCodeOf(f: BoundaryFeature): string | undefined {
  const p = f.properties ?? {};
  for (const key of ['ma_xa', 'maXa', 'code', 'commune', 'MA_XA']) {
    const v = p[key];
    if ((typeof v === 'string' || typeof v === 'number') && /^\d{5}$/.test(String(v).padStart(5, '0'))) return String(v).padStart(5, '0');
  }
  return undefined;
}

function ringsOf(geometry: BoundaryFeature['geometry']): Ring[] {
  if (!geometry) return [];
  if (geometry.type === 'Polygon') return geometry.coordinates as Ring[];
  if (geometry.type === 'MultiPolygon') return (geometry.coordinates as Ring[][]).flat();
  return [];
}

/** SVG paths of the communes in a width × height box (north up), and the box. */
export function projectCommunes(features: BoundaryFeature[], width = 600): { shapes: CommuneShape[]; width: number; height: number } {
  const rings = features.map((f) => ringsOf(f.geometry));
  const points = rings.flat(2);
  if (points.length === 0) return { shapes: [], width, height: 0 };
  const lons = points.map((p) => p[0]);
  const lats = points.map((p) => p[1]);
  const [minLon, maxLon, minLat, maxLat] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  const k = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const spanX = Math.max((maxLon - minLon) * k, 1e-9);
  const scale = width / spanX;
  const height = Math.round((maxLat - minLat) * scale) || 1;
  const xy = ([lon, lat]: [number, number]) => `${((lon - minLon) * k * scale).toFixed(1)},${((maxLat - lat) * scale).toFixed(1)}`;
  const shapes: CommuneShape[] = [];
  features.forEach((f, i) => {
    const code = communeCodeOf(f);
    if (!code) return;
    const name = String(f.properties?.ten_xa ?? f.properties?.name ?? code);
    const path = rings[i]!.map((ring) => `M${ring.map(xy).join('L')}Z`).join('');
    shapes.push({ code, name, path });
  });
  return { shapes, width, height };
}

/** A blue of increasing depth for a rate in 0–1 (grey when unknown). */
export function rateColor(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return '#e9ecef';
  const r = Math.max(0, Math.min(1, rate));
  const light = Math.round(92 - r * 57);
  return `hsl(210, 80%, ${light}%)`;
}

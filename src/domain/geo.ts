import * as v from 'valibot';
import { isoDateTime, msg } from './validation';

/** A GPS fix as the phone gave it. `accuracy` is the 68 % radius in metres. */
export interface GeoPoint {
  lat: number;
  lng: number;
  accuracy: number;
  capturedAt: string;
}

export const geoPointSchema = v.object({
  lat: v.pipe(v.number(msg.invalidGps), v.minValue(-90, msg.invalidGps), v.maxValue(90, msg.invalidGps)),
  lng: v.pipe(v.number(msg.invalidGps), v.minValue(-180, msg.invalidGps), v.maxValue(180, msg.invalidGps)),
  accuracy: v.pipe(v.number(msg.invalidGps), v.minValue(0, msg.invalidGps), v.maxValue(100_000, msg.invalidGps)),
  capturedAt: isoDateTime,
});

const EARTH_RADIUS_M = 6_371_008.8;

/** Great-circle distance in metres (haversine; plenty for "within ~50 m"). */
export function distanceMetres(a: Pick<GeoPoint, 'lat' | 'lng'>, b: Pick<GeoPoint, 'lat' | 'lng'>): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

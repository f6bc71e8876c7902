/* Barometric arithmetic shared by the pressure sensors. */
#ifndef MURICLE_BARO_H
#define MURICLE_BARO_H

/* Altitude in metres from pressure and sea-level pressure, the international
 * barometric formula (BMP180 datasheet 3.6). */
double baro_altitude(double pressure_pa, double sea_level_pa);

#endif

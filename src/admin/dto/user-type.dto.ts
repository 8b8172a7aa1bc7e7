import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';

export class CreateUserTypeDto {
  @ApiProperty({ example: '2' })
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'id must be 1-64 letters, digits, ".", "_" or "-"' })
  id!: string;

  @ApiProperty({ example: 'Manager' })
  @IsString()
  @Length(1, 200)
  name!: string;
}

export class RenameUserTypeDto {
  @ApiProperty({ example: 'Senior Manager' })
  @IsString()
  @Length(1, 200)
  name!: string;
}
